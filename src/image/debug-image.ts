import { fail } from '../errors';
import { optionalEnum } from '../input';
import { ImageFamily } from './image-family';
import { checkImageReference, isMutableImage, repositoryOf } from './image-reference';
import { imageRecipe } from './recipe';
import { DebugImageRecipeOptions } from './recipe-options';

/** Repositories (on Docker Hub unless a registry is named) whose family is known. */
const KNOWN_FAMILIES: Record<string, ImageFamily> = {
  'docker.io/nicolaka/netshoot': ImageFamily.ALPINE,
  'ghcr.io/nicolaka/netshoot': ImageFamily.ALPINE,
  'docker.io/library/alpine': ImageFamily.ALPINE,
  'docker.io/library/busybox': ImageFamily.ALPINE,
  'docker.io/library/debian': ImageFamily.DEBIAN,
  'docker.io/library/ubuntu': ImageFamily.DEBIAN,
};

/**
 * A debug image: its reference, and the distribution family it is built
 * from, which decides some tools' capabilities (Debian's tcpdump changes user
 * after opening the device, and needs SETUID and SETGID for it; Alpine's does
 * not). The two travel together, so they cannot disagree.
 *
 * The family of well-known images is inferred: netshoot is Alpine, and the
 * official `debian`, `ubuntu`, `alpine` and `busybox` repositories are their
 * own family. For any other image, name the family; an image of unknown
 * family gets the capabilities that work in every family the library knows
 * (their union), with a warning that says how to narrow them.
 */
export class DebugImage {
  /**
   * nicolaka/netshoot, pinned to a release (Alpine based; tcpdump, tshark,
   * strace, dig, curl, nmap, iptables, ...). Runs as root by default.
   */
  public static readonly NETSHOOT = DebugImage.of('docker.io/nicolaka/netshoot:v0.14');

  /**
   * An image by reference, with its family.
   *
   * @param reference a full reference with a fixed tag or a digest, for
   * example `registry.example.com/team/debug:1.4`
   * @param family the distribution the image is built from
   * @default - inferred for the images the library knows; otherwise unknown
   * (the union of the families' capabilities, and a warning)
   */
  public static of(reference: string, family?: ImageFamily): DebugImage {
    const checked = checkImageReference('image', reference, 'registry.example.com/team/debug:1.4');
    const given = optionalEnum('family', family, ImageFamily as unknown as Record<string, ImageFamily>, 'ImageFamily');
    const known = KNOWN_FAMILIES[repositoryOf(checked)];
    if (given !== undefined && known !== undefined && given !== known) {
      fail('family', given, `contradicts the image '${checked}', which is of the ${known} family`,
        `Omit the family for this image, or pass ImageFamily.${known.toUpperCase()}.`);
    }
    return new DebugImage(checked, given ?? known);
  }

  /**
   * The text of a Containerfile (Dockerfile) for a debug image with exactly
   * the tools. By default (`RecipeStyle.FULL`) it installs the tools'
   * packages on a pinned base of the family, keeps `/bin/sh` (the sidecar's
   * keep-alive needs it), runs as a non-root user when no tool needs root,
   * and strips setuid bits and any file capability the tools' derived
   * capabilities do not cover.
   *
   * With `style: RecipeStyle.MINIMAL` the image starts `FROM scratch` and
   * holds only the tools' binaries (`DebugToolProps.binaries`), the shared
   * libraries the dynamic loader lists for them, the few files they read and
   * a static shell; a builder stage on the family's base installs the
   * packages. The image is still of that family (it holds the builder's
   * binaries), and so are the capabilities the sidecar derives for it.
   *
   * Build it with `podman build` or `docker build`, push it, and use it with
   * `DebugImage.of('<your registry>/<name>:<tag>', family)`.
   */
  public static recipe(options: DebugImageRecipeOptions): string {
    return imageRecipe(options);
  }

  /** The image reference as it goes into the manifest. */
  public readonly reference: string;

  /** Whether the tag can move (`latest` or none, and no digest). @internal */
  public readonly _mutable: boolean;

  /**
   * The distribution family, when known (given, or inferred for a well-known
   * image); undefined when unknown.
   */
  public readonly family?: ImageFamily;

  private constructor(reference: string, family: ImageFamily | undefined) {
    this.reference = reference;
    this.family = family;
    this._mutable = isMutableImage(reference);
  }

  /** The image reference. */
  public toString(): string {
    return this.reference;
  }
}
