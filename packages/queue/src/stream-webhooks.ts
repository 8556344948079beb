import crypto from 'node:crypto';
import type { StreamTrackWebhook } from '@argus/contracts';
import type { DeliveryLog } from './delivery-log';
import type { WebhookQueue } from './queues';

/**
 * Track begin/end webhooks of live streams, on the same queue, signing, retries and capped
 * delivery log as job webhooks; deliveries are listed under the stream's id.
 */
export class StreamWebhooks {
  constructor(
    private readonly queue: WebhookQueue,
    private readonly log: DeliveryLog,
  ) {}

  async send(streamId: string, url: string, body: Omit<StreamTrackWebhook, 'deliveryId'>): Promise<string> {
    const deliveryId = `dlv_${crypto.randomBytes(12).toString('hex')}`;
    await this.log.addDelivery(streamId, deliveryId, {
      event: body.event,
      url,
      createdAt: new Date().toISOString(),
      redelivery: false,
    });
    await this.queue.add(
      'deliver',
      { kind: 'stream', deliveryId, streamId, url, body: { ...body, deliveryId } },
      { jobId: deliveryId },
    );
    return deliveryId;
  }
}
