using Microsoft.EntityFrameworkCore;

namespace Gateway.Shared.Data;

public sealed class GatewayDb(DbContextOptions<GatewayDb> options) : DbContext(options)
{
    public DbSet<Credential> Credentials => Set<Credential>();
    public DbSet<MatrixIdentity> MatrixIdentities => Set<MatrixIdentity>();
    public DbSet<ApiToken> Tokens => Set<ApiToken>();
    public DbSet<LinkedDevice> Devices => Set<LinkedDevice>();
    public DbSet<BridgeRoom> BridgeRooms => Set<BridgeRoom>();
    public DbSet<ChatPortal> Portals => Set<ChatPortal>();
    public DbSet<SentMessage> SentMessages => Set<SentMessage>();
    public DbSet<ReceivedReaction> ReceivedReactions => Set<ReceivedReaction>();
    public DbSet<ReceivedMessage> ReceivedMessages => Set<ReceivedMessage>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<DeliveryPayload> DeliveryPayloads => Set<DeliveryPayload>();
    public DbSet<SyncWorkerPresence> SyncWorkers => Set<SyncWorkerPresence>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Credential>(credential =>
        {
            credential.HasIndex(c => c.ClientId).IsUnique();
            credential.Property(c => c.ClientId).HasMaxLength(64);
            credential.Property(c => c.Role).HasMaxLength(32);
        });

        model.Entity<MatrixIdentity>(identity =>
        {
            identity.HasIndex(i => i.UserId).IsUnique();
            // Two first tokens racing each other must not both become the host.
            identity.HasIndex(i => i.IsHost).IsUnique().HasFilter("is_host");
            identity.HasIndex(i => i.SyncLeaseHolder);
        });
        model.Entity<SyncWorkerPresence>(worker => worker.HasKey(w => w.Name));

        model.Entity<ApiToken>(token =>
        {
            token.ToTable("tokens");
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasOne(t => t.Credential).WithMany().OnDelete(DeleteBehavior.Cascade);
            token.HasOne(t => t.Identity).WithMany().OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<LinkedDevice>(device =>
        {
            device.ToTable("devices");
            device.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            // One identity per phone and platform: re-linking is idempotent, linking under another identity moves it.
            device.HasIndex(d => new { d.Platform, d.DeviceId }).IsUnique();
            device.HasIndex(d => d.IdentityId);
            device.HasOne(d => d.Identity).WithMany().OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<BridgeRoom>(room =>
        {
            room.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
            room.HasIndex(r => new { r.IdentityId, r.Platform, r.Kind, r.DeviceId, r.RemoteId }).IsUnique();
            room.HasIndex(r => new { r.IdentityId, r.RoomId });
            room.HasOne(r => r.Identity).WithMany().OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<ChatPortal>(portal =>
        {
            portal.ToTable("portals");
            portal.Property(p => p.Kind).HasConversion<string>().HasMaxLength(16);
            portal.HasIndex(p => new { p.IdentityId, p.Platform, p.ChatId, p.DeviceId }).IsUnique();
            portal.HasOne(p => p.Identity).WithMany().OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<SentMessage>(message =>
        {
            message.HasIndex(m => new { m.IdentityId, m.EventId }).IsUnique();
            message.HasIndex(m => new { m.IdentityId, m.RoomId, m.SentAt }); // a read receipt reads what came before it
            message.Property(m => m.Status).HasMaxLength(16);
            message.HasOne(m => m.Identity).WithMany().OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<ReceivedReaction>(reaction =>
        {
            reaction.HasIndex(r => new { r.IdentityId, r.EventId }).IsUnique();
            reaction.HasOne(r => r.Identity).WithMany().OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<ReceivedMessage>(message =>
        {
            message.HasIndex(m => new { m.IdentityId, m.EventId }).IsUnique();
            message.HasOne(m => m.Identity).WithMany().OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<Webhook>(webhook =>
        {
            webhook.Property(w => w.Events).HasDefaultValueSql("ARRAY['message']::text[]");
            webhook.HasIndex(w => new { w.TokenId, w.Url }).IsUnique();
            webhook.HasOne(w => w.Token).WithMany().OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<WebhookDelivery>(delivery =>
        {
            delivery.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            // A replayed sync batch must not deliver a message twice.
            delivery.HasIndex(d => new { d.WebhookId, d.EventId }).IsUnique();
            // The delivery loop's claim: each webhook's due rows, and the earlier pending rows of the same webhook and room;
            // expiry: due rows of any webhook.
            delivery.HasIndex(d => new { d.WebhookId, d.NextAttemptAt }).HasFilter("status = 'Pending'");
            delivery.HasIndex(d => d.NextAttemptAt).HasFilter("status = 'Pending'");
            delivery.HasIndex(d => new { d.WebhookId, d.RoomId, d.Id }).HasFilter("status = 'Pending'");
            // Tidying: settled rows past their keeping time.
            delivery.HasIndex(d => d.CreatedAt).HasFilter("status <> 'Pending'");
            delivery.HasOne(d => d.Webhook).WithMany().OnDelete(DeleteBehavior.Cascade);
            delivery.HasOne(d => d.Payload).WithMany().OnDelete(DeleteBehavior.SetNull); // indexed: tidying looks for payloads no delivery uses
        });

        model.Entity<DeliveryPayload>(payload =>
        {
            // A replayed sync batch finds the payload it already stored.
            payload.HasIndex(p => new { p.IdentityId, p.EventId }).IsUnique();
            payload.HasOne(p => p.Identity).WithMany().OnDelete(DeleteBehavior.Cascade);
        });
    }
}

public static class GatewayDbOptions
{
    public static DbContextOptionsBuilder UseGatewayConventions(this DbContextOptionsBuilder options) =>
        options.UseSnakeCaseNamingConvention();
}
