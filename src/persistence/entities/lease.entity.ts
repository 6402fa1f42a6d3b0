import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An exclusive lease per name (`writer`: the one process that may write to this database). Times are ISO text so
 * that one conditional statement can compare them; the token grows on every acquisition (fencing).
 */
@Entity('lease')
export class LeaseEntity {
  @PrimaryColumn({ type: 'varchar' })
  name: string;

  /** hostname:pid:random of the process holding it; null once released */
  @Column({ type: 'varchar', nullable: true })
  holder: string | null;

  @Column({ type: 'integer', default: 0 })
  token: number;

  @Column({ type: 'varchar', nullable: true })
  acquiredAt: string | null;

  @Column({ type: 'varchar', nullable: true })
  heartbeatAt: string | null;
}
