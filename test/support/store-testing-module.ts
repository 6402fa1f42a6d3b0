import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { FakeClock } from './fakes/fake-clock';
import { ConfigModule } from '../../src/config/config.module';
import { testConfig } from './upstream/test-config';
import { buildDataSourceOptions, openDataSource } from '../../src/persistence/data-source-options';
import { PersistenceModule } from '../../src/persistence/persistence.module';
import { createTestSchema, onPostgres } from './test-database';

/**
 * The stores over a fresh database with every migration run (the partial unique indexes come from the migrations),
 * and a clock the test moves: in-memory SQLite, or (TEST_DATABASE=postgres) a schema of its own, dropped when the
 * module closes. Close the module after each test.
 */
export async function storeTestingModule(clock: FakeClock): Promise<TestingModule> {
  const schema = onPostgres ? await createTestSchema('store') : null;
  const target = { databasePath: ':memory:', databaseUrl: schema?.url ?? null };
  const module = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(testConfig(target), { clock }),
      TypeOrmModule.forRootAsync({
        useFactory: () => buildDataSourceOptions(target),
        dataSourceFactory: (options) => openDataSource(options as DataSourceOptions),
      }),
      PersistenceModule,
    ],
  }).compile();
  if (schema) {
    const close = module.close.bind(module);
    module.close = async () => {
      await close();
      await schema.drop();
    };
  }
  return module;
}
