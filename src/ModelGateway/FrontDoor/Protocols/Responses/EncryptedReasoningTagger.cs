using System.Buffers;
using ModelGateway.Pipeline;
using ModelGateway.Providers.OpenAi;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// Passes a native Responses answer on with every <c>encrypted_content</c> tagged with the provider that made it
/// (<see cref="EncryptedReasoningTag"/>), so the client's next turn can give it back to that provider only. Whole
/// events go on at each flush (a value is never split), a JSON body once complete; bytes without encrypted content
/// go as they came.
/// </summary>
internal sealed class EncryptedReasoningTagger(ResponseSink inner, byte[] tag) : WholeEventSink(inner)
{
    public override async ValueTask CompleteAsync()
    {
        await base.CompleteAsync();
        await Inner.CompleteAsync();
    }

    protected override ValueTask PassOnAsync(ReadOnlyMemory<byte> piece, bool final)
    {
        if (EncryptedReasoningTag.Mentions(piece.Span))
        {
            EncryptedReasoningTag.Insert(piece.Span, tag, Inner.Writer);
        }
        else
        {
            Inner.Writer.Write(piece.Span);
        }

        return ValueTask.CompletedTask;
    }
}
