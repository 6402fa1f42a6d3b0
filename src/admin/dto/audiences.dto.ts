import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from './list-query.dto';

/** `PUT /admin/segments/:source`: mirror a CRM.COM audience (or rename / pause one). */
export class PutSegmentDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor?: string;
}

/** `POST /admin/notifications`: one campaign notification to a mirrored segment. */
export class CampaignDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  segment: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  title?: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  message: string;

  @IsBoolean()
  isProcessingMessage: boolean;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  actor: string;
}

export class NotificationsQueryDto extends ListQueryDto {
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['TRANSACTIONAL', 'CAMPAIGN'])
  kind?: 'TRANSACTIONAL' | 'CAMPAIGN';

  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['SENDING', 'SENT', 'IN_DOUBT', 'FAILED'])
  state?: string;
}
