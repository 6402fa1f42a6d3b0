import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';

export const RESOLVE_ACTIONS = ['link', 'create', 'ignore', 'accept-crm'] as const;
export type ResolveAction = (typeof RESOLVE_ACTIONS)[number];

export class ResolveConflictDto {
  @IsIn(RESOLVE_ACTIONS)
  action: ResolveAction;

  @ValidateIf((body: ResolveConflictDto) => body.action === 'link' || body.crmContactId !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  crmContactId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor?: string;
}
