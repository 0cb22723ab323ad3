// The sidecar's default commands. POSIX sh only (busybox ash, dash, bash), so
// they run in Alpine and Debian images alike.
//
// `sleep infinity` as PID 1 ignores SIGTERM (no handler, PID 1 gets no
// default action) and holds every rollout for the whole grace period, and
// `sleep 3600` exits hourly and is restarted. A trap on TERM plus a
// backgrounded sleep that `wait` interrupts stops at once on SIGTERM.

/** Runs until SIGTERM. */
export const KEEP_ALIVE_SCRIPT = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";

/**
 * Runs until SIGTERM, or until no process other than the Pod's pause process,
 * this shell and its own sleep is left in the shared process namespace (the
 * application has exited), so a Job completes. Exits too if no application
 * process shows up within two minutes. Reads /proc with shell builtins only.
 */
export const EXIT_WITH_APP_SCRIPT = [
  "trap 'exit 0' TERM INT",
  'me=$$; seen=0; n=0',
  'while :; do',
  '  alive=0',
  '  for s in /proc/[0-9]*/stat; do',
  '    read -r pid comm state ppid rest < "$s" 2>/dev/null || continue',
  '    if [ "$pid" != 1 ] && [ "$pid" != "$me" ] && [ "$ppid" != "$me" ]; then alive=1; break; fi',
  '  done',
  '  if [ "$alive" = 1 ]; then seen=1; elif [ "$seen" = 1 ] || [ "$n" -ge 60 ]; then exit 0; fi',
  '  n=$((n+1)); sleep 2 & wait $!',
  'done',
].join('\n');

/**
 * Runs for `seconds`, then exits (or at once on SIGTERM): the keep-alive of
 * an ephemeral container with a lifetime. Ephemeral containers are never
 * restarted, so its capabilities end with it.
 */
export function keepAliveFor(seconds: number): string {
  return `trap 'exit 0' TERM INT; sleep ${seconds} & wait $!`;
}

/** Whether `command` is one of the library's keep-alives (not a command of the user's). */
export function isDefaultKeepAlive(command: readonly string[]): boolean {
  return command.length === 3 && command[0] === '/bin/sh' && command[1] === '-c' && (command[2] === KEEP_ALIVE_SCRIPT || command[2] === EXIT_WITH_APP_SCRIPT);
}
