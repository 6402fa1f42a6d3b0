import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from './list-query.dto';

export class AlertsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['PENDING', 'SENT', 'FAILED', 'LOCAL'] })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['PENDING', 'SENT', 'FAILED', 'LOCAL'])
  state?: 'PENDING' | 'SENT' | 'FAILED' | 'LOCAL';

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  kind?: string;
}
