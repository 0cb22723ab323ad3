/** The whole message of the error `fn` throws (toThrow(string) checks only a part); fails when it throws none. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, got none');
}
