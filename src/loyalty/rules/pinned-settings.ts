import { StartupRefusedError } from '../../common/startup-refused';

/** The settings pinned at the first start with a valid wallet perk, by their settings_pin name. */
export interface PinnedValues {
  walletPerkId: string | null;
  pointsPerCurrencyUnit: string;
  currency: string;
}

export interface PinDifference {
  variable: string;
  pinned: string;
  configured: string;
}

const CATALOGUE_CHOICE = 'WALLET_PERK_ID (unset: chosen from the stored perk catalogue)';

/** What differs between the pins and the values this process would run with; a null perk id is not compared. */
export function pinDifferences(pinned: Record<string, string>, wanted: PinnedValues, perkChosenFromCatalogue: boolean): PinDifference[] {
  const variables: Array<[keyof PinnedValues, string]> = [
    ['walletPerkId', perkChosenFromCatalogue ? CATALOGUE_CHOICE : 'WALLET_PERK_ID'],
    ['pointsPerCurrencyUnit', 'POINTS_PER_CURRENCY_UNIT'],
    ['currency', 'CRMCOM_CURRENCY'],
  ];
  return variables
    .filter(([name]) => wanted[name] !== null && pinned[name] !== undefined && pinned[name] !== wanted[name])
    .map(([name, variable]) => ({ variable, pinned: pinned[name], configured: wanted[name] as string }));
}

export function describeDifferences(differences: PinDifference[], word: 'configured' | 'now', separator: string): string {
  return differences.map((d) => `${d.variable}: pinned ${d.pinned}, ${word} ${d.configured}`).join(separator);
}

export const PIN_CONSEQUENCE =
  'Running with them would revalue or strand every customer balance: the points rate and the currency convert every wallet into Pepper points, and the wallet perk holds those points.';

/** A start whose loyalty settings differ from the pins: refused, with the way back and the way forward. */
export class PinnedSettingsChangedError extends StartupRefusedError {
  constructor(readonly differences: PinDifference[]) {
    super(
      'The connector refuses to start: loyalty settings differ from those pinned at the first start on this database.\n' +
        `  - ${describeDifferences(differences, 'configured', '\n  - ')}\n` +
        `${PIN_CONSEQUENCE}\n` +
        'Either restore the pinned value(s) and start again, or migrate deliberately: with the pinned values, reconcile ' +
        '(POST /admin/resync {"scope":"awards","dryRun":false}), stop the connector, clear the pins with ' +
        '`npm run pins -- --clear --confirm`, and start with the new values (they are pinned at that start).',
    );
  }
}
