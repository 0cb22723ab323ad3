/**
 * How `DebugImage.recipe` builds the image.
 */
export enum RecipeStyle {
  /**
   * The tools' packages installed on the family's base image, which stays in
   * the image (its shell, package manager and libraries). Builds any tool
   * that names its packages.
   */
  FULL = 'full',

  /**
   * A multi-stage build: a builder stage on the family's base installs the
   * tools' packages, and the image starts `FROM scratch` with only the tools'
   * binaries (`DebugToolProps.binaries`), the shared libraries the dynamic
   * loader lists for them, the few files they read (passwd and group entries,
   * services, protocols, nsswitch.conf) and a static busybox for the
   * keep-alive's `sh` and `sleep`. No package manager, no other program.
   */
  MINIMAL = 'minimal',
}
