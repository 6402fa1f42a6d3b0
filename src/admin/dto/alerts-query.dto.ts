import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from './list-query.dto';

export class AlertsQueryDto extends ListQueryDto {
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['PENDING', 'SENT', 'FAILED', 'LOCAL'])
  state?: 'PENDING' | 'SENT' | 'FAILED' | 'LOCAL';

  @IsOptional()
  @IsString()
  @MaxLength(64)
  kind?: string;
}
