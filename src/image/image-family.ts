/**
 * The distribution a debug image is built from.
 *
 * The same tool can need different capabilities in different images: Debian's
 * (and Fedora's) tcpdump drops privileges to the user `tcpdump` after opening
 * the device, which needs SETUID and SETGID when every capability is dropped;
 * Alpine's (netshoot's) does not.
 */
export enum ImageFamily {
  /** Alpine Linux and busybox images, such as nicolaka/netshoot. */
  ALPINE = 'alpine',
  /** Debian and Ubuntu images (and images that build their tools the same way, such as Fedora/RHEL). */
  DEBIAN = 'debian',
}
