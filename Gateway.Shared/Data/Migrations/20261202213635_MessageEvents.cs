using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Gateway.Shared.Data.Migrations
{
    /// <inheritdoc />
    public partial class MessageEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "events",
                table: "webhooks",
                type: "text[]",
                nullable: false,
                defaultValueSql: "ARRAY['message']::text[]");

            migrationBuilder.CreateTable(
                name: "received_reactions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    identity_id = table.Column<int>(type: "integer", nullable: false),
                    event_id = table.Column<string>(type: "text", nullable: false),
                    message_id = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_received_reactions", x => x.id);
                    table.ForeignKey(
                        name: "fk_received_reactions_matrix_identities_identity_id",
                        column: x => x.identity_id,
                        principalTable: "matrix_identities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sent_messages",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    identity_id = table.Column<int>(type: "integer", nullable: false),
                    event_id = table.Column<string>(type: "text", nullable: false),
                    platform = table.Column<string>(type: "text", nullable: false),
                    device_id = table.Column<string>(type: "text", nullable: false),
                    room_id = table.Column<string>(type: "text", nullable: false),
                    recipient = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    error = table.Column<string>(type: "text", nullable: true),
                    sent_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sent_messages", x => x.id);
                    table.ForeignKey(
                        name: "fk_sent_messages_matrix_identities_identity_id",
                        column: x => x.identity_id,
                        principalTable: "matrix_identities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_received_reactions_identity_id_event_id",
                table: "received_reactions",
                columns: new[] { "identity_id", "event_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sent_messages_identity_id_event_id",
                table: "sent_messages",
                columns: new[] { "identity_id", "event_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sent_messages_identity_id_room_id_sent_at",
                table: "sent_messages",
                columns: new[] { "identity_id", "room_id", "sent_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "received_reactions");

            migrationBuilder.DropTable(
                name: "sent_messages");

            migrationBuilder.DropColumn(
                name: "events",
                table: "webhooks");
        }
    }
}
