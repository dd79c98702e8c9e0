/** The outbox's port is the store's (store/outbox-port.ts); these names stay for readers not yet moved. */
export type {
  Delivery,
  NewDelivery,
  OutboxState,
  OutboxStore as Outbox,
} from '../../store/outbox-port.ts';
