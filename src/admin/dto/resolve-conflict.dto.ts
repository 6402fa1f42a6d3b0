import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';

export const RESOLVE_ACTIONS = ['link', 'create', 'ignore', 'accept-crm'] as const;
export type ResolveAction = (typeof RESOLVE_ACTIONS)[number];

export class ResolveConflictDto {
  @ApiProperty({ enum: RESOLVE_ACTIONS })
  @IsIn(RESOLVE_ACTIONS)
  action: ResolveAction;

  @ApiPropertyOptional({ type: String })
  @ValidateIf((body: ResolveConflictDto) => body.action === 'link' || body.crmContactId !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  crmContactId?: string;

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor?: string;
}
