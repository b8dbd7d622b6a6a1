-- AlterTable
ALTER TABLE "saga_instance" ADD COLUMN     "traceparent" VARCHAR(55);
