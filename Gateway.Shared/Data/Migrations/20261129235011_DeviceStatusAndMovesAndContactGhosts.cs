using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gateway.Shared.Data.Migrations
{
    /// <inheritdoc />
    public partial class DeviceStatusAndMovesAndContactGhosts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_devices_identity_id_platform_device_id",
                table: "devices");

            migrationBuilder.AddColumn<string>(
                name: "status",
                table: "devices",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Connected");

            migrationBuilder.AddColumn<string>(
                name: "status_reason",
                table: "devices",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "contact_ghost",
                table: "bridge_rooms",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_devices_identity_id",
                table: "devices",
                column: "identity_id");

            // A phone linked to several identities (relinked before moves existed) stays with the identity that linked it last.
            migrationBuilder.Sql("""
                DELETE FROM devices d
                USING devices newer
                WHERE newer.platform = d.platform AND newer.device_id = d.device_id
                  AND (newer.created_at, newer.id) > (d.created_at, d.id)
                """);

            migrationBuilder.CreateIndex(
                name: "ix_devices_platform_device_id",
                table: "devices",
                columns: new[] { "platform", "device_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_devices_identity_id",
                table: "devices");

            migrationBuilder.DropIndex(
                name: "ix_devices_platform_device_id",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "status",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "status_reason",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "contact_ghost",
                table: "bridge_rooms");

            migrationBuilder.CreateIndex(
                name: "ix_devices_identity_id_platform_device_id",
                table: "devices",
                columns: new[] { "identity_id", "platform", "device_id" },
                unique: true);
        }
    }
}
