/**
 * A start the connector refuses on purpose (another writer holds the database, pinned settings changed). The entry
 * point prints the message alone, with no stack trace, and exits 1, like a configuration error.
 */
export class StartupRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
