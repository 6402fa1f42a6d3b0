import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from './list-query.dto';

/** `PUT /admin/segments/:source`: mirror a CRM.COM audience (or rename / pause one). */
export class PutSegmentDto {
  @ApiProperty({ type: String })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor?: string;
}

/** `POST /admin/notifications`: one campaign notification to a mirrored segment. */
export class CampaignDto {
  @ApiProperty({ type: String })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  segment: string;

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  title?: string;

  @ApiProperty({ type: String })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  message: string;

  @ApiProperty({ type: Boolean })
  @IsBoolean()
  isProcessingMessage: boolean;

  @ApiProperty({ type: String })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  actor: string;
}

export class NotificationsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['TRANSACTIONAL', 'CAMPAIGN'] })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['TRANSACTIONAL', 'CAMPAIGN'])
  kind?: 'TRANSACTIONAL' | 'CAMPAIGN';

  @ApiPropertyOptional({ enum: ['SENDING', 'SENT', 'IN_DOUBT', 'FAILED'] })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['SENDING', 'SENT', 'IN_DOUBT', 'FAILED'])
  state?: string;
}
