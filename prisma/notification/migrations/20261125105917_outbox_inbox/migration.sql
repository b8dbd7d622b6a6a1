-- CreateTable
CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "message_id" VARCHAR(200) NOT NULL,
    "type" VARCHAR(200) NOT NULL,
    "aggregate" VARCHAR(200),
    "exchange" VARCHAR(255) NOT NULL,
    "routing_key" VARCHAR(255) NOT NULL,
    "mandatory" BOOLEAN NOT NULL,
    "version" INTEGER NOT NULL,
    "source" VARCHAR(255) NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "correlation_id" VARCHAR(200) NOT NULL,
    "causation_id" VARCHAR(200),
    "traceparent" VARCHAR(128),
    "tracestate" VARCHAR(512),
    "body" JSON NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT clock_timestamp(),
    "sent_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" VARCHAR(1000),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbox" (
    "message_id" VARCHAR(200) NOT NULL,
    "consumer" VARCHAR(200) NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_pkey" PRIMARY KEY ("message_id","consumer")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_message_id_key" ON "outbox"("message_id");

-- CreateIndex
CREATE INDEX "outbox_unsent_idx" ON "outbox"("id") WHERE (sent_at IS NULL);

-- CreateIndex
CREATE INDEX "outbox_unsent_aggregate_idx" ON "outbox"("aggregate", "id") WHERE (sent_at IS NULL);

-- CreateIndex
CREATE INDEX "outbox_sent_idx" ON "outbox"("sent_at") WHERE (sent_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "inbox_processed_at_idx" ON "inbox"("processed_at");
