import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from './list-query.dto';

export class WritesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['PENDING', 'UNKNOWN', 'DONE', 'FAILED', 'SHADOW'] })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['PENDING', 'UNKNOWN', 'DONE', 'FAILED', 'SHADOW'])
  state?: 'PENDING' | 'UNKNOWN' | 'DONE' | 'FAILED' | 'SHADOW';

  @ApiPropertyOptional({ enum: ['pepper', 'crmcom'] })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsIn(['pepper', 'crmcom'])
  target?: 'pepper' | 'crmcom';
}

export const SETTLE_OUTCOMES = ['happened', 'did-not-happen'] as const;
export type SettleOutcome = (typeof SETTLE_OUTCOMES)[number];

export class SettleWriteDto {
  @ApiProperty({ enum: SETTLE_OUTCOMES })
  @IsIn(SETTLE_OUTCOMES)
  outcome: SettleOutcome;

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  upstreamId?: string;

  @ApiProperty({ type: String })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  actor: string;
}
