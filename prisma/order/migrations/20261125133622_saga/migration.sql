-- CreateEnum
CREATE TYPE "saga_status" AS ENUM ('RUNNING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'FAILED');

-- AlterTable
ALTER TABLE "order" ADD COLUMN     "reason" VARCHAR(200),
ADD COLUMN     "request_hash" CHAR(64);

-- CreateTable
CREATE TABLE "saga_instance" (
    "id" UUID NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "status" "saga_status" NOT NULL,
    "data" JSONB NOT NULL,
    "step_index" INTEGER NOT NULL,
    "phase" VARCHAR(16) NOT NULL,
    "attempt" INTEGER NOT NULL,
    "awaiting_message_id" VARCHAR(200),
    "deadline_at" TIMESTAMPTZ(3),
    "step_started_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" VARCHAR(200),
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "saga_instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "saga_transition" (
    "id" BIGSERIAL NOT NULL,
    "saga_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "step" VARCHAR(100) NOT NULL,
    "attempt" INTEGER NOT NULL,
    "message_type" VARCHAR(200) NOT NULL,
    "message_id" VARCHAR(200) NOT NULL,
    "direction" VARCHAR(8) NOT NULL,
    "outcome" VARCHAR(200) NOT NULL,
    "trace_id" VARCHAR(32),

    CONSTRAINT "saga_transition_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "saga_instance_status_deadline_at_idx" ON "saga_instance"("status", "deadline_at");

-- CreateIndex
CREATE INDEX "saga_instance_type_status_started_at_idx" ON "saga_instance"("type", "status", "started_at");

-- CreateIndex
CREATE INDEX "saga_transition_saga_id_id_idx" ON "saga_transition"("saga_id", "id");

-- AddForeignKey
ALTER TABLE "saga_transition" ADD CONSTRAINT "saga_transition_saga_id_fkey" FOREIGN KEY ("saga_id") REFERENCES "saga_instance"("id") ON DELETE CASCADE ON UPDATE CASCADE;
