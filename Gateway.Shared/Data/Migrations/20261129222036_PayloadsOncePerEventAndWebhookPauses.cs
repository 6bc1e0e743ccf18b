using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Gateway.Shared.Data.Migrations
{
    /// <inheritdoc />
    public partial class PayloadsOncePerEventAndWebhookPauses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "failing_since",
                table: "webhooks",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "paused_until",
                table: "webhooks",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "payload_id",
                table: "webhook_deliveries",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "delivery_payloads",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    identity_id = table.Column<int>(type: "integer", nullable: false),
                    event_id = table.Column<string>(type: "text", nullable: false),
                    body = table.Column<byte[]>(type: "bytea", nullable: false),
                    size = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery_payloads", x => x.id);
                    table.ForeignKey(
                        name: "fk_delivery_payloads_matrix_identities_identity_id",
                        column: x => x.identity_id,
                        principalTable: "matrix_identities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_payload_id",
                table: "webhook_deliveries",
                column: "payload_id");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_webhook_id_next_attempt_at",
                table: "webhook_deliveries",
                columns: new[] { "webhook_id", "next_attempt_at" },
                filter: "status = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_delivery_payloads_identity_id_event_id",
                table: "delivery_payloads",
                columns: new[] { "identity_id", "event_id" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_webhook_deliveries_delivery_payloads_payload_id",
                table: "webhook_deliveries",
                column: "payload_id",
                principalTable: "delivery_payloads",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);

            // Pending deliveries keep what they will POST: one payload per identity and event, then the old column goes.
            migrationBuilder.Sql("""
                INSERT INTO delivery_payloads (identity_id, event_id, body, size, created_at)
                SELECT DISTINCT ON (t.identity_id, d.event_id)
                       t.identity_id, d.event_id, convert_to(d.payload, 'UTF8'), octet_length(d.payload), d.created_at
                FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN tokens t ON t.id = w.token_id
                WHERE d.status = 'Pending' AND d.payload IS NOT NULL
                ORDER BY t.identity_id, d.event_id, d.id;
                UPDATE webhook_deliveries d SET payload_id = p.id
                FROM webhooks w, tokens t, delivery_payloads p
                WHERE d.status = 'Pending' AND d.payload IS NOT NULL AND w.id = d.webhook_id AND t.id = w.token_id
                  AND p.identity_id = t.identity_id AND p.event_id = d.event_id;
                """);
            migrationBuilder.DropColumn(
                name: "payload",
                table: "webhook_deliveries");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "payload",
                table: "webhook_deliveries",
                type: "text",
                nullable: true);
            migrationBuilder.Sql("UPDATE webhook_deliveries d SET payload = convert_from(p.body, 'UTF8') FROM delivery_payloads p WHERE p.id = d.payload_id;");

            migrationBuilder.DropForeignKey(
                name: "fk_webhook_deliveries_delivery_payloads_payload_id",
                table: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "delivery_payloads");

            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_payload_id",
                table: "webhook_deliveries");

            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_webhook_id_next_attempt_at",
                table: "webhook_deliveries");

            migrationBuilder.DropColumn(
                name: "failing_since",
                table: "webhooks");

            migrationBuilder.DropColumn(
                name: "paused_until",
                table: "webhooks");

            migrationBuilder.DropColumn(
                name: "payload_id",
                table: "webhook_deliveries");
        }
    }
}
