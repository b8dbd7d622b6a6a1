-- AlterEnum
ALTER TYPE "payment_status" ADD VALUE 'CANCELLED';

-- AlterTable
ALTER TABLE "payment" ALTER COLUMN "customer_id" DROP NOT NULL,
ALTER COLUMN "amount_minor" DROP NOT NULL,
ALTER COLUMN "currency" DROP NOT NULL;
