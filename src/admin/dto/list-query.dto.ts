import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNumberString, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ListQueryDto {
  @ApiPropertyOptional({ type: Number })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsNumberString({ no_symbols: true })
  cursor?: string;
}

export class LinksQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  pepperUserId?: string;

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  crmContactId?: string;

  @ApiPropertyOptional({ enum: ['LINKED', 'CONFLICT', 'DELETED'] })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['LINKED', 'CONFLICT', 'DELETED'])
  status?: 'LINKED' | 'CONFLICT' | 'DELETED';
}

export class ConflictsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['OPEN', 'RESOLVED', 'IGNORED'] })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['OPEN', 'RESOLVED', 'IGNORED'])
  status?: 'OPEN' | 'RESOLVED' | 'IGNORED';

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  kind?: string;

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  pepperUserId?: string;
}

export class FailedEventsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['pepper', 'crmcom'] })
  @IsOptional()
  @IsIn(['pepper', 'crmcom'])
  source?: 'pepper' | 'crmcom';
}
