import type { SaveOptions } from 'typeorm';

/**
 * SQLite runs every query of the app on one connection, so a transaction TypeORM opens around a save would
 * also take in (and, on a rollback, undo) the statements other flows send meanwhile. Each store write is a
 * single statement instead, ordered so that a crash between two of them loses nothing.
 */
export const NO_TRANSACTION: SaveOptions = { transaction: false };
