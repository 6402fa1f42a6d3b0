import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  async health() {
    try {
      await this.dataSource.query('SELECT 1');
      return { status: 'ok', database: 'up' };
    } catch {
      throw new HttpException({ statusCode: 503, error: 'Service Unavailable', message: 'database is not answering', database: 'down' }, HttpStatus.SERVICE_UNAVAILABLE);
    }
  }
}
