import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FakeClock } from './fakes/fake-clock';
import { ConfigModule } from '../../src/config/config.module';
import { testConfig } from './upstream/test-config';
import { buildDataSourceOptions } from '../../src/persistence/data-source-options';
import { PersistenceModule } from '../../src/persistence/persistence.module';

/**
 * The stores over a fresh in-memory SQLite database with every migration run (the partial unique indexes come
 * from the migrations), and a clock the test moves. Close the module after each test.
 */
export async function storeTestingModule(clock: FakeClock): Promise<TestingModule> {
  return Test.createTestingModule({
    imports: [ConfigModule.forRoot(testConfig(), { clock }), TypeOrmModule.forRoot(buildDataSourceOptions(':memory:')), PersistenceModule],
  }).compile();
}
