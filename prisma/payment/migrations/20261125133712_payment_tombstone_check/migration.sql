-- Invariants the Prisma schema cannot declare (written by hand; see prisma/README.md).
-- Its own migration: PostgreSQL cannot use the enum value added by the previous one in the same transaction.
-- A tombstone (CANCELLED) holds nothing and knows no customer or amount; every other status has them.
ALTER TABLE "payment" DROP CONSTRAINT "payment_status_check";
ALTER TABLE "payment" ADD CONSTRAINT "payment_status_check" CHECK (
  CASE "status"
    WHEN 'DECLINED' THEN "authorisation_id" IS NULL AND "capture_id" IS NULL AND "decline_reason" IS NOT NULL
    WHEN 'AUTHORISED' THEN "authorisation_id" IS NOT NULL AND "capture_id" IS NULL AND "decline_reason" IS NULL
    WHEN 'VOIDED' THEN "authorisation_id" IS NOT NULL AND "capture_id" IS NULL AND "decline_reason" IS NULL
    WHEN 'CAPTURED' THEN "authorisation_id" IS NOT NULL AND "capture_id" IS NOT NULL AND "decline_reason" IS NULL
    WHEN 'CANCELLED' THEN "authorisation_id" IS NULL AND "capture_id" IS NULL AND "decline_reason" IS NULL
    ELSE false
  END
);
ALTER TABLE "payment" ADD CONSTRAINT "payment_order_data_check" CHECK (
  "status" = 'CANCELLED' OR ("customer_id" IS NOT NULL AND "amount_minor" IS NOT NULL AND "currency" IS NOT NULL)
);
