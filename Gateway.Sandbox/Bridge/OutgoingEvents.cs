using System.Text.Json;
using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// What the bridge does with an event the user sends into a portal through a connected login: bridgev2's
/// handleMatrixMessage, handleMatrixEdit, handleMatrixReaction and handleMatrixRedaction (portal.go), with
/// mautrix-whatsapp's handlers behind them (pkg/connector/handlematrix.go). The bridge's own refusals come first; what
/// passes them reaches the network, where the <c>refuse_sends</c> switch may refuse it; what the network takes is
/// recorded in <c>sent</c> and answered with a SUCCESS status.
/// </summary>
public sealed class OutgoingEvents(FailureSwitches switches, TimeProvider clock, ILogger<OutgoingEvents> logger)
{
    public const string EditOfAnotherSender =
        "WhatsApp applies an edit only from the message's sender (mautrix-whatsapp sends it as an edit of the user's own message with that id)";

    public Task HandleAsync(PlatformBridge bridge, Portal portal, MatrixEvent e) => e switch
    {
        { Type: "m.reaction" } => ReactAsync(bridge, portal, e),
        { Type: "m.room.redaction" } => RedactAsync(bridge, portal, e),
        // bridgev2's bridge_notices (false in its example config), before anything else: a notice is a bot's business.
        { Type: "m.room.message", MsgType: "m.notice" } => RefuseAsync(bridge, e, Refusals.IgnoringNotice),
        { IsEdit: true } => EditAsync(bridge, portal, e),
        _ => SendAsync(bridge, portal, e),
    };

    private async Task SendAsync(PlatformBridge bridge, Portal portal, MatrixEvent e)
    {
        var verdict = OutgoingContent.Check(bridge.Platform.Options.Connector, e.Type, e.Content);
        if (verdict.Refusal is { } refusal)
        {
            await RefuseAsync(bridge, e, refusal);
            return;
        }
        await SendOnAsync(bridge, portal, e, new BridgeOutcome(NetworkMimeType: verdict.NetworkMimeType));
    }

    /// <summary>
    /// The new content is checked as a message would be, then the target: it must be a message the bridge holds and
    /// younger than the network's edit window. Whose message it is, neither bridgev2 nor mautrix-whatsapp checks.
    /// </summary>
    private async Task EditAsync(PlatformBridge bridge, Portal portal, MatrixEvent e)
    {
        var newContent = e.Content.TryGetProperty("m.new_content", out var replacement) && replacement.ValueKind == JsonValueKind.Object
            ? replacement
            : e.Content;
        if (OutgoingContent.Check(bridge.Platform.Options.Connector, e.Type, newContent).Refusal is { } refusal)
        {
            await RefuseAsync(bridge, e, refusal);
            return;
        }
        if (await bridge.Bridged.FindMessageAsync(portal, e.RelatedEventId ?? "") is not { } target)
        {
            await RefuseAsync(bridge, e, Refusals.TargetNotFound("edit"));
            return;
        }
        var maxAge = switches.EditMaxAgeSeconds ?? bridge.Platform.Options.EditMaxAgeSeconds;
        if (maxAge > 0 && clock.GetUtcNow() - target.Timestamp > TimeSpan.FromSeconds(maxAge))
        {
            await RefuseAsync(bridge, e, Refusals.EditTargetTooOld);
            return;
        }
        await SendOnAsync(bridge, portal, e, new BridgeOutcome(IgnoredByNetwork: target.FromOwnNumber ? null : EditOfAnotherSender));
    }

    /// <summary>
    /// WhatsApp keeps one reaction per sender and message (PreHandleMatrixReaction's MaxReactions 1): the same emoji again
    /// is a success that goes nowhere; another one replaces it on WhatsApp, and once sent the bot redacts the old
    /// reaction's Matrix event (removeOutdatedReaction) before the status of the new one.
    /// </summary>
    private async Task ReactAsync(PlatformBridge bridge, Portal portal, MatrixEvent e)
    {
        var targetId = e.RelatedEventId ?? "";
        if (await bridge.Bridged.FindMessageAsync(portal, targetId) is null)
        {
            await RefuseAsync(bridge, e, Refusals.TargetNotFound("reaction"));
            return;
        }
        var key = e.RelationField("key") ?? "";
        var previous = bridge.Bridged.CurrentReaction(portal.RoomId, targetId, e.Sender);
        if (previous is not null && WithoutVariationSelector(previous.Key ?? "") == WithoutVariationSelector(key))
        {
            logger.LogInformation("{Platform} ignores {EventId}: the same reaction as {Previous}", bridge.Platform.Name, e.EventId, previous.EventId);
            await bridge.Statuses.SuccessAsync(StatusTarget.Of(e));
            return;
        }
        if (!await NetworkTakesAsync(bridge, portal, e))
        {
            return;
        }
        Record(bridge, portal, e, new BridgeOutcome(ReplacedReaction: previous?.EventId));
        if (previous is not null)
        {
            await bridge.Matrix.RedactAsync(null, portal.RoomId, previous.EventId, CancellationToken.None);
        }
        await bridge.Statuses.SuccessAsync(StatusTarget.Of(e));
    }

    /// <summary>
    /// A redacted message is deleted for everyone (a revoke), a redacted reaction taken back; anything else the bridge
    /// does not hold. Someone else's message the user cannot redact at all: the portal gives them no power to.
    /// </summary>
    private async Task RedactAsync(PlatformBridge bridge, Portal portal, MatrixEvent e)
    {
        var targetId = e.RedactedEvent ?? "";
        if (await bridge.Bridged.FindMessageAsync(portal, targetId) is null && bridge.Bridged.ReactionByEvent(portal.RoomId, targetId) is null)
        {
            await RefuseAsync(bridge, e, Refusals.TargetNotFound("redaction"));
            return;
        }
        await SendOnAsync(bridge, portal, e, new BridgeOutcome());
    }

    private async Task SendOnAsync(PlatformBridge bridge, Portal portal, MatrixEvent e, BridgeOutcome outcome)
    {
        if (await NetworkTakesAsync(bridge, portal, e))
        {
            Record(bridge, portal, e, outcome);
            await bridge.Statuses.SuccessAsync(StatusTarget.Of(e));
        }
    }

    /// <summary>The network's turn: the <c>refuse_sends</c> switch refuses what the bridge itself let through.</summary>
    private async Task<bool> NetworkTakesAsync(PlatformBridge bridge, Portal portal, MatrixEvent e)
    {
        if (!switches.TakeRefusal())
        {
            return true;
        }
        logger.LogInformation("{Platform} network refuses {EventId} of login {DeviceId}", bridge.Platform.Name, e.EventId, portal.DeviceId);
        await bridge.Statuses.FailedAsync(StatusTarget.Of(e), MessageStatuses.Fail, MessageStatuses.NetworkError, switches.RefuseReason);
        return false;
    }

    private void Record(PlatformBridge bridge, Portal portal, MatrixEvent e, BridgeOutcome outcome)
    {
        var sent = bridge.Sent.Record(portal, e, outcome);
        logger.LogInformation("{Platform} login {DeviceId} sent {Type} {Msgtype} to {Recipient}",
            bridge.Platform.Name, sent.DeviceId, sent.Type, sent.Msgtype, sent.Recipient);
    }

    private Task RefuseAsync(PlatformBridge bridge, MatrixEvent e, Refusal refusal)
    {
        logger.LogInformation("{Platform} refuses {Type} {EventId}: {Error}", bridge.Platform.Name, e.Type, e.EventId, refusal.InternalError);
        return bridge.Statuses.RefusedAsync(StatusTarget.Of(e), refusal);
    }

    // go.mau.fi/util/variationselector.Remove, as PreHandleMatrixReaction compares emoji: ❤️ and ❤ are one reaction.
    private static string WithoutVariationSelector(string emoji) => emoji.Replace("\ufe0f", "");
}
