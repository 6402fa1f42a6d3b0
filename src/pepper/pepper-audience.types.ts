/** Pepper segments, notifications and menus as the connector uses them (pepper-api.md §8–9, design §9). */

export interface PepperSegment {
  /** From `_id`. */
  id: string;
  title: string;
  type: string | null;
  /** ISO-8601, when Pepper says */
  created: string | null;
}

export interface PepperSegmentWrite {
  title: string;
  description: string;
  type: 'PERSISTENT';
}

export interface PepperNotificationWrite {
  title: string | null;
  message: string;
  /** true only for service messages (GDPR): marketing ones skip users who opted out */
  isProcessingMessage: boolean;
}

export interface PepperNotificationStatus {
  id: string;
  /** `PENDING`, …, `DONE` (the one terminal value the docs show) */
  status: string;
  sent: number | null;
  failures: number | null;
  skipped: number | null;
  errorMessage: string | null;
  title: string | null;
  message: string | null;
  createdAt: string | null;
}

export interface PepperNotificationReceipt {
  notificationId: string;
  createdAt: string | null;
}

export interface PepperMenuProduct {
  /** the product id order lines carry */
  id: string;
  title: string;
  /** as the menu gives it (major units), null when absent */
  price: string | null;
  categoryId: string | null;
  categoryTitle: string | null;
}
