import type { DataSource, ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { Dialect, dialectOf, placeholders } from './dialect';

/**
 * A table's rows through SQL written once, for the statements a seed makes for every user (README "Performance"):
 * building a statement through TypeORM's query builder and mapping its rows cost the connector more CPU than SQLite
 * spent running it. Values go in and come out through the driver's own conversions (dates, JSON, booleans), so a row
 * read here equals one read through the repository, on SQLite and on Postgres alike. The SQL text of a call site is
 * fixed, so SQLite prepares it once (TypeORM's statement cache).
 */
export class TableRows<T extends ObjectLiteral> {
  private readonly columns: Map<string, ColumnMetadata>;
  private readonly dialect: Dialect;
  private readonly source: DataSource;
  private readonly updatedAt: string | null;
  /** the generated primary key (an insert answers it), if the table has one */
  private readonly generated: string | null;
  private readonly table: string;
  private readonly statements = new Map<string, string>();

  constructor(private readonly repo: Repository<T>) {
    const metadata = repo.metadata;
    this.source = repo.manager.connection;
    this.dialect = dialectOf(this.source);
    this.table = `"${metadata.tableName}"`;
    this.columns = new Map(metadata.columns.map((column) => [column.propertyName, column]));
    this.updatedAt = metadata.updateDateColumn ? metadata.updateDateColumn.databaseName : null;
    this.generated = metadata.primaryColumns.find((column) => column.isGenerated)?.databaseName ?? null;
  }

  /** The rows matching `where` (SQL with `?` placeholders, after `WHERE`), as entities. */
  async select(where: string, params: readonly unknown[]): Promise<T[]> {
    const sql = this.statement(`select:${where}`, () => `SELECT * FROM ${this.table} WHERE ${where}`);
    const rows = (await this.run(sql, params)).records;
    return rows.map((row) => this.entityOf(row));
  }

  async selectOne(where: string, params: readonly unknown[]): Promise<T | null> {
    return (await this.select(where, params))[0] ?? null;
  }

  /** Inserts one row with the columns given (the others take their defaults); answers its generated id, if the table has one. */
  async insert(row: Partial<T>): Promise<number | null> {
    const result = await this.run(this.insertStatement(row, false), this.insertParams(row));
    if (!this.generated) return null;
    // better-sqlite3 answers a write with the new row's rowid, Postgres with what RETURNING asked for
    return Number(this.dialect === 'postgres' ? result.records[0][this.generated] : result.raw);
  }

  /** Inserts the row unless a unique index holds one like it already; answers whether it did. */
  async insertIfAbsent(row: Partial<T>): Promise<boolean> {
    const result = await this.run(this.insertStatement(row, true), this.insertParams(row));
    return (result.affected ?? 0) > 0;
  }

  private insertStatement(row: Partial<T>, ifAbsent: boolean): string {
    const names = this.namesOf(row);
    return this.statement(`insert:${ifAbsent}:${names.join(',')}`, () => {
      const columns = names.map((name) => `"${this.column(name).databaseName}"`).join(', ');
      const values = names.map(() => '?').join(', ');
      if (this.dialect === 'sqlite') return `INSERT${ifAbsent ? ' OR IGNORE' : ''} INTO ${this.table} (${columns}) VALUES (${values})`;
      const returning = this.generated ? ` RETURNING "${this.generated}"` : '';
      return `INSERT INTO ${this.table} (${columns}) VALUES (${values})${ifAbsent ? ' ON CONFLICT DO NOTHING' : ''}${returning}`;
    });
  }

  private insertParams(row: Partial<T>): unknown[] {
    return this.namesOf(row).map((name) => this.persistent(name, row[name]));
  }

  /** the properties given a value (undefined: left to the column's default) */
  private namesOf(values: Partial<T>): string[] {
    return Object.keys(values).filter((name) => values[name] !== undefined);
  }

  /** Sets the given columns (and the update date) on the rows matching `where`; answers how many it changed. */
  async update(set: Partial<T>, where: string, params: readonly unknown[]): Promise<number> {
    const names = this.namesOf(set);
    const sql = this.statement(`update:${names.join(',')}:${where}`, () => {
      const assignments = names.map((name) => `"${this.column(name).databaseName}" = ?`);
      // what TypeORM sets on every update of an entity with an update date
      if (this.updatedAt && !names.includes(this.updatedAt)) assignments.push(`"${this.updatedAt}" = CURRENT_TIMESTAMP`);
      return `UPDATE ${this.table} SET ${assignments.join(', ')} WHERE ${where}`;
    });
    const result = await this.run(sql, [...names.map((name) => this.persistent(name, set[name])), ...params]);
    return result.affected ?? 0;
  }

  private statement(key: string, build: () => string): string {
    let sql = this.statements.get(key);
    if (sql === undefined) {
      sql = placeholders(this.dialect, build());
      this.statements.set(key, sql);
    }
    return sql;
  }

  private async run(sql: string, params: readonly unknown[]): Promise<{ records: ObjectLiteral[]; affected?: number; raw: unknown }> {
    const runner = this.source.createQueryRunner();
    try {
      const bound = this.dialect === 'sqlite' ? params.map(bindable) : [...params];
      return (await runner.query(sql, bound, true)) as { records: ObjectLiteral[]; affected?: number; raw: unknown };
    } finally {
      await runner.release();
    }
  }

  private column(property: string): ColumnMetadata {
    const column = this.columns.get(property);
    if (!column) throw new Error(`${this.table} has no column ${property}`);
    return column;
  }

  private persistent(property: string, value: unknown): unknown {
    return this.source.driver.preparePersistentValue(value, this.column(property));
  }

  private entityOf(row: ObjectLiteral): T {
    const entity = this.repo.metadata.create() as T;
    for (const column of this.columns.values()) {
      (entity as ObjectLiteral)[column.propertyName] = this.source.driver.prepareHydratedValue(row[column.databaseName], column);
    }
    return entity;
  }
}

/** SQLite stores integers as 64-bit integers: bound as such (as the data source binds its own, data-source-options.ts). */
function bindable(value: unknown): unknown {
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
}
