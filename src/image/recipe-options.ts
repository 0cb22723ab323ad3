import { ImageFamily } from './image-family';
import { RecipeStyle } from './recipe-style';
import { DebugTool } from '../privileges/debug-tool';

/**
 * Options for `DebugImage.recipe`.
 */
export interface DebugImageRecipeOptions {
  /** The tools the image must carry. Their packages are installed, nothing else. */
  readonly tools: DebugTool[];

  /**
   * The distribution the image is built from: it decides the package names and the package manager.
   * A minimal image is of this family too (it holds the builder's binaries), and so are the
   * capabilities the sidecar derives for it.
   */
  readonly family: ImageFamily;

  /**
   * The base image: a pinned reference of the family (a version tag or a
   * digest). Use your own mirror or a digest for reproducible builds. In the
   * minimal style it is the builder stage's base.
   *
   * @default - `docker.io/library/debian:12.8-slim` for DEBIAN,
   * `docker.io/library/alpine:3.20.3` for ALPINE
   */
  readonly baseImage?: string;

  /**
   * How the image is built: `RecipeStyle.FULL` keeps the base and installs
   * the packages on it; `RecipeStyle.MINIMAL` copies only the tools'
   * binaries, their shared libraries and a static shell into an image
   * `FROM scratch` (every tool must declare its binaries).
   *
   * @default RecipeStyle.FULL
   */
  readonly style?: RecipeStyle;
}
