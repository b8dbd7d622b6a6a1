import { timingSafeEqual, createHash } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { ConfigOf } from '@orderly/config';
import { OrderServiceConfig } from '../config/order-service.config';

/** The operator API requires `Authorization: Bearer <ADMIN_TOKEN>`. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(OrderServiceConfig.KEY) settings: ConfigOf<typeof OrderServiceConfig>) {
    this.expected = digest(settings.ADMIN_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    const header =
      context.switchToHttp().getRequest<{ headers: { authorization?: string } }>().headers.authorization ??
      '';
    const match = /^Bearer (.+)$/.exec(header);
    // Compared as digests: equal lengths for timingSafeEqual, and no timing hint of the token's length.
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new UnauthorizedException({
        message: 'the operator API needs Authorization: Bearer <ADMIN_TOKEN>',
      });
    }
    return true;
  }
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
