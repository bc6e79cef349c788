/** Key-ring configuration faults: the process must not start with any of these. */
export class KeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyConfigError';
  }
}
