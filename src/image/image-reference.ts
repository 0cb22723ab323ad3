// The grammar of image references, and the rule that a debug image must be
// pinned where it matters.

import { fail } from '../errors';

// docker/distribution reference grammar: [host[:port]/]path[:tag][@digest]
const IMAGE_REFERENCE = new RegExp(
  '^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?'
  + '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*'
  + '(?::[\\w][\\w.-]{0,127})?'
  + '(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);

/** Is the image referenced by a tag that can move (no tag, or `latest`) and no digest? */
export function isMutableImage(image: string): boolean {
  // Stryker disable next-line ConditionalExpression: without it a digest still pins: its ':' comes after the last '/', so the tag read below is never absent nor exactly 'latest'
  if (image.includes('@')) return false;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
  return tag === undefined || tag === 'latest';
}

/** Checks an image reference's grammar; returns it. */
export function checkImageReference(field: string, image: unknown, example: string): string {
  if (typeof image !== 'string' || image.length > 255 || !IMAGE_REFERENCE.test(image)) {
    return fail(field, image, 'is not a valid image reference',
      `Use [registry/]repository:tag or ...@sha256:digest with a lowercase repository, for example '${example}'.`);
  }
  return image;
}

/**
 * The problem with a mutable tag: an error where the environment is
 * production, a warning (returned) elsewhere.
 */
export function mutableTagWarning(field: string, image: string, mutable: boolean, production: boolean): string | undefined {
  if (!mutable) return undefined;
  const problem = 'uses a mutable tag (latest or none): the sidecar can change under you between two Pod starts';
  if (production) fail(field, image, problem, 'Pin a version tag or a digest (@sha256:...) where the environment is production.');
  return `'${field}' ${problem} (got "${image}"). Pin a version tag or a digest.`;
}

/** The repository of a reference, the way Docker normalizes it: `debian:12` → `docker.io/library/debian`. */
export function repositoryOf(reference: string): string {
  const withoutDigest = reference.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  // Stryker disable next-line ArithmeticOperator: from lastSlash - 1 finds no other ':' in a valid reference (a port's ':' is followed by digits, never by the last '/'; with no '/' both start at 0)
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  const name = colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
  const first = name.split('/')[0];
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return first === 'index.docker.io' ? `docker.io/${name.slice(first.length + 1)}` : name;
  return name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`;
}
