-- CreateTable
CREATE TABLE "notification" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "template" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notification_order_id_template_key" ON "notification"("order_id", "template");
