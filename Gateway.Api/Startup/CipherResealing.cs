using System.Linq.Expressions;
using System.Security.Cryptography;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Startup;

/// <summary>
/// After a key change, seals again under <c>Gateway:EncryptionKey</c> every stored cipher that only one of
/// <c>Gateway:PreviousEncryptionKeys</c> opens, so that the previous keys can then be removed from the settings.
/// With nothing to do it is one read of each table. A cipher no key opens is left as it is and named by id: the key
/// that opens it may yet be added to the previous keys, and one unreadable row should not keep the Api from starting.
/// </summary>
public sealed class CipherResealing(GatewayDb db, SecretBox secretBox, ILogger<CipherResealing> logger)
{
    private const int BatchSize = 500;
    private const string Id = nameof(MatrixIdentity.Id); // both tables' key

    public async Task ResealAsync(CancellationToken cancellationToken)
    {
        await ResealAsync((MatrixIdentity identity) => identity.AccessTokenCipher, cancellationToken);
        await ResealAsync((Webhook webhook) => webhook.SecretCipher, cancellationToken);
    }

    private async Task ResealAsync<TEntity>(Expression<Func<TEntity, byte[]>> cipher, CancellationToken cancellationToken)
        where TEntity : class
    {
        var (resealed, unreadable, after) = (0, new List<int>(), 0);
        while (await db.Set<TEntity>().Where(row => EF.Property<int>(row, Id) > after).OrderBy(row => EF.Property<int>(row, Id))
                   .Take(BatchSize).ToListAsync(cancellationToken) is { Count: > 0 } batch)
        {
            foreach (var row in batch)
            {
                var stored = db.Entry(row).Property(cipher);
                try
                {
                    if (secretBox.Reseal(stored.CurrentValue) is { } underCurrentKey)
                    {
                        stored.CurrentValue = underCurrentKey;
                    }
                }
                catch (CryptographicException)
                {
                    unreadable.Add(db.Entry(row).Property<int>(Id).CurrentValue);
                }
            }
            after = db.Entry(batch[^1]).Property<int>(Id).CurrentValue;
            resealed += await db.SaveChangesAsync(cancellationToken); // the batch's updates, in one transaction
            db.ChangeTracker.Clear();
        }

        if (resealed > 0)
        {
            logger.LogInformation("Re-sealed {Count} {Entity} ciphers under the current encryption key", resealed, typeof(TEntity).Name);
        }
        if (unreadable.Count > 0)
        {
            logger.LogWarning("{Count} {Entity} ciphers open under no configured encryption key and were left as they are: ids {Ids}",
                unreadable.Count, typeof(TEntity).Name, unreadable);
        }
    }
}
