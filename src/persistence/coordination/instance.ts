import { Injectable } from '@nestjs/common';
import { newHolderId } from '../lease/writer-lease';

/** This process among the instances sharing a database: hostname:pid:random, named in leases, claims and runs. */
@Injectable()
export class Instance {
  readonly id = newHolderId();
}
