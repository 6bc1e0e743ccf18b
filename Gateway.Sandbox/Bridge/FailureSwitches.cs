using System.Collections.Concurrent;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// Knobs tests turn to see how the gateway copes with a misbehaving bridge. Shared by every platform of this sandbox.
/// </summary>
public sealed class FailureSwitches
{
    public const string SimulatedFailure = "simulated failure (sandbox switch fail_next_command)";
    public const string RefusedByNetwork = "The network refused the message (sandbox switch refuse_sends)";

    private int failNextCommand;

    /// <summary>The next command the bot handles answers with its failure text instead of doing anything.</summary>
    public bool FailNextCommand
    {
        get => Volatile.Read(ref failNextCommand) == 1;
        set => Volatile.Write(ref failNextCommand, value ? 1 : 0);
    }

    /// <summary>How long the bot waits before answering any command (a slow or overloaded bridge).</summary>
    public int BotDelayMs { get; set; }

    private int lateNextAnswerMs;

    /// <summary>
    /// The next command is answered this much later, in the background, while the commands after it are answered at
    /// once: its answer arrives late and out of turn.
    /// </summary>
    public int LateNextAnswerMs
    {
        get => Volatile.Read(ref lateNextAnswerMs);
        set => Volatile.Write(ref lateNextAnswerMs, value);
    }

    /// <summary>Takes the late-answer switch: its delay for exactly one caller, 0 for the others.</summary>
    public int TakeLateAnswer() => Interlocked.Exchange(ref lateNextAnswerMs, 0);

    /// <summary>QR codes still rotate on schedule, but the notices and edits announcing them are never sent.</summary>
    public bool DropQrRefreshes { get; set; }

    private readonly ConcurrentDictionary<string, byte> notOnNetwork = new();

    /// <summary>Numbers (digits) that have no account: start-chat cannot resolve them (the platform's not-on-network text).</summary>
    public IReadOnlyCollection<string> NotOnNetwork
    {
        get => [.. notOnNetwork.Keys.Order()];
        set
        {
            notOnNetwork.Clear();
            foreach (var digits in value)
            {
                notOnNetwork[digits] = 0;
            }
        }
    }

    private int refuseSends;

    /// <summary>How many of the next events users send into portals the network refuses (a FAIL status and notice, never delivered).</summary>
    public int RefuseSends
    {
        get => Volatile.Read(ref refuseSends);
        set => Volatile.Write(ref refuseSends, value);
    }

    /// <summary>What a refused send is told (<c>message</c> of the status, words of the notice).</summary>
    public string RefuseReason { get; set; } = RefusedByNetwork;

    /// <summary>Takes one refusal: true while the refuse-sends count lasts, for one caller each.</summary>
    public bool TakeRefusal()
    {
        var left = Volatile.Read(ref refuseSends);
        while (left > 0)
        {
            var seen = Interlocked.CompareExchange(ref refuseSends, left - 1, left);
            if (seen == left)
            {
                return true;
            }
            left = seen;
        }
        return false;
    }

    /// <summary>Overrides every platform's <c>MessageStatusEvents</c> while set (null: each platform's own setting).</summary>
    public bool? MessageStatusEvents { get; set; }

    /// <summary>Overrides every platform's <c>EditMaxAgeSeconds</c> while set (tests need not wait 15 minutes); 0 = no limit.</summary>
    public int? EditMaxAgeSeconds { get; set; }

    public bool IsOnNetwork(string digits) => !notOnNetwork.ContainsKey(digits);

    /// <summary>Takes the fail-next-command switch: true for exactly one caller.</summary>
    public bool TakeFailure() => Interlocked.Exchange(ref failNextCommand, 0) == 1;

    public void Reset()
    {
        FailNextCommand = false;
        BotDelayMs = 0;
        LateNextAnswerMs = 0;
        DropQrRefreshes = false;
        notOnNetwork.Clear();
        RefuseSends = 0;
        RefuseReason = RefusedByNetwork;
        MessageStatusEvents = null;
        EditMaxAgeSeconds = null;
    }
}
