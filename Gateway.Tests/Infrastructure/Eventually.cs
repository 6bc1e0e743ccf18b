namespace Gateway.Tests.Infrastructure;

/// <summary>Polls for something that happens asynchronously (a sync loop, a delivery), failing after a timeout.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan timeout, Func<string>? describe = null) =>
        await HoldsAsync(() => Task.FromResult(condition()), timeout, describe);

    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s: {describe?.Invoke() ?? "condition never held"}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds for its value, and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, Func<T, string>? describe = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s: {describe?.Invoke(value) ?? $"last value {value}"}");
            }
            await Task.Delay(100);
        }
    }
}
