import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from './list-query.dto';

export class WritesQueryDto extends ListQueryDto {
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['PENDING', 'UNKNOWN', 'DONE', 'FAILED', 'SHADOW'])
  state?: 'PENDING' | 'UNKNOWN' | 'DONE' | 'FAILED' | 'SHADOW';

  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsIn(['pepper', 'crmcom'])
  target?: 'pepper' | 'crmcom';
}

export const SETTLE_OUTCOMES = ['happened', 'did-not-happen'] as const;
export type SettleOutcome = (typeof SETTLE_OUTCOMES)[number];

export class SettleWriteDto {
  @IsIn(SETTLE_OUTCOMES)
  outcome: SettleOutcome;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  upstreamId?: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  actor: string;
}
