using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gateway.Shared.Data.Migrations
{
    /// <inheritdoc />
    public partial class SettledDeliveriesLetGoOfPayloads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "payload",
                table: "webhook_deliveries",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");
            // Rows settled before this migration keep their payload until tidying removes them: one UPDATE over a
            // large outbox could outlast the command timeout and stop the Api from starting.

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_created_at",
                table: "webhook_deliveries",
                column: "created_at",
                filter: "status <> 'Pending'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_created_at",
                table: "webhook_deliveries");

            migrationBuilder.Sql("UPDATE webhook_deliveries SET payload = '' WHERE payload IS NULL");
            migrationBuilder.AlterColumn<string>(
                name: "payload",
                table: "webhook_deliveries",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);
        }
    }
}
