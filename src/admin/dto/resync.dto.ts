import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';

export const RESYNC_SCOPES = ['users', 'awards', 'perks', 'segments', 'products', 'all'] as const;
export type ResyncScope = (typeof RESYNC_SCOPES)[number];

export class ResyncDto {
  @ApiProperty({ enum: RESYNC_SCOPES })
  @IsIn(RESYNC_SCOPES)
  scope: ResyncScope;

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor?: string;
}

export class ActorDto {
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor?: string;
}
