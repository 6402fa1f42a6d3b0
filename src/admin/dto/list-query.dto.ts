import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNumberString, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ListQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @IsNumberString({ no_symbols: true })
  cursor?: string;
}

export class LinksQueryDto extends ListQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  pepperUserId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  crmContactId?: string;

  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['LINKED', 'CONFLICT', 'DELETED'])
  status?: 'LINKED' | 'CONFLICT' | 'DELETED';
}

export class ConflictsQueryDto extends ListQueryDto {
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['OPEN', 'RESOLVED', 'IGNORED'])
  status?: 'OPEN' | 'RESOLVED' | 'IGNORED';

  @IsOptional()
  @IsString()
  @MaxLength(64)
  kind?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  pepperUserId?: string;
}

export class FailedEventsQueryDto extends ListQueryDto {
  @IsOptional()
  @IsIn(['pepper', 'crmcom'])
  source?: 'pepper' | 'crmcom';
}
