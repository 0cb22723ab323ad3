import { ImageFamily } from './image-family';
import { DebugTool } from '../privileges/debug-tool';

/**
 * Options for `DebugImage.recipe`.
 */
export interface DebugImageRecipeOptions {
  /** The tools the image must carry. Their packages are installed, nothing else. */
  readonly tools: DebugTool[];

  /** The distribution the image is built from: it decides the package names and the package manager. */
  readonly family: ImageFamily;

  /**
   * The base image: a pinned reference of the family (a version tag or a
   * digest). Use your own mirror or a digest for reproducible builds.
   *
   * @default - `docker.io/library/debian:12.8-slim` for DEBIAN,
   * `docker.io/library/alpine:3.20.3` for ALPINE
   */
  readonly baseImage?: string;
}
