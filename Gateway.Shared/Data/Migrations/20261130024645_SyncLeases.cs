using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gateway.Shared.Data.Migrations
{
    /// <inheritdoc />
    public partial class SyncLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "sync_lease_expires_at",
                table: "matrix_identities",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "sync_lease_fence",
                table: "matrix_identities",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "sync_lease_holder",
                table: "matrix_identities",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "sync_workers",
                columns: table => new
                {
                    name = table.Column<string>(type: "text", nullable: false),
                    seen_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sync_workers", x => x.name);
                });

            migrationBuilder.CreateIndex(
                name: "ix_matrix_identities_sync_lease_holder",
                table: "matrix_identities",
                column: "sync_lease_holder");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sync_workers");

            migrationBuilder.DropIndex(
                name: "ix_matrix_identities_sync_lease_holder",
                table: "matrix_identities");

            migrationBuilder.DropColumn(
                name: "sync_lease_expires_at",
                table: "matrix_identities");

            migrationBuilder.DropColumn(
                name: "sync_lease_fence",
                table: "matrix_identities");

            migrationBuilder.DropColumn(
                name: "sync_lease_holder",
                table: "matrix_identities");
        }
    }
}
