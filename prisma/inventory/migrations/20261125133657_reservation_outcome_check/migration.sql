-- Invariants the Prisma schema cannot declare (written by hand; see prisma/README.md).
-- Its own migration: PostgreSQL cannot use the enum values added by the previous one in the same transaction.
-- A refusal keeps what was short (replayed to a repeated ReserveStock); no other outcome has a shortfall.
ALTER TABLE "reservation" ADD CONSTRAINT "reservation_missing_check" CHECK (("status" = 'REFUSED') = ("missing" IS NOT NULL));
