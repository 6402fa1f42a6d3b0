import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';

export const RESYNC_SCOPES = ['users', 'awards', 'perks', 'segments', 'products', 'all'] as const;
export type ResyncScope = (typeof RESYNC_SCOPES)[number];

export class ResyncDto {
  @IsIn(RESYNC_SCOPES)
  scope: ResyncScope;

  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor?: string;
}

export class ActorDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor?: string;
}
