// Usage: AzureSdkCheck <simulator base url> <api key>
// Exercises chat, streaming chat and embeddings against classic Azure deployment URLs, and a wrong key.
// Prints one line per check; exits 1 on the first failure.
using System.ClientModel;
using System.ClientModel.Primitives;
using Azure;
using Azure.AI.OpenAI;
using OpenAI.Chat;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: AzureSdkCheck <base url> <api key>");
    return 2;
}

var options = new AzureOpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(0) };
var client = new AzureOpenAIClient(new Uri(args[0]), new AzureKeyCredential(args[1]), options);
var chat = client.GetChatClient("gpt-4o-deployment");

try
{
    var completion = (await chat.CompleteChatAsync([new UserChatMessage("Hello Azure")])).Value;
    Check("chat text", completion.Content[0].Text.StartsWith("azure ", StringComparison.Ordinal), completion.Content[0].Text);
    Check("chat finish", completion.FinishReason == ChatFinishReason.Stop, completion.FinishReason.ToString());
    Check("chat usage", completion.Usage.TotalTokenCount > 0, completion.Usage.TotalTokenCount.ToString(System.Globalization.CultureInfo.InvariantCulture));

    var parts = new List<string>();
    await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hello Azure")]))
    {
        parts.AddRange(update.ContentUpdate.Select(part => part.Text).Where(text => text.Length > 0));
    }

    Check("stream chunks", parts.Count > 1, parts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    Check("stream text", string.Concat(parts) == completion.Content[0].Text, string.Concat(parts));

    var embedding = (await client.GetEmbeddingClient("embed-deployment").GenerateEmbeddingAsync("hello")).Value;
    Check("embedding", embedding.ToFloats().Length > 0, embedding.ToFloats().Length.ToString(System.Globalization.CultureInfo.InvariantCulture));

    var wrong = new AzureOpenAIClient(new Uri(args[0]), new AzureKeyCredential("wrong-key"), options);
    try
    {
        await wrong.GetChatClient("d").CompleteChatAsync([new UserChatMessage("hi")]);
        Check("wrong key", false, "no error");
    }
    catch (ClientResultException ex)
    {
        Check("wrong key", ex.Status == 401, ex.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
catch (CheckFailedException ex)
{
    Console.WriteLine("FAIL " + ex.Message);
    return 1;
}

Console.WriteLine("ALL PASSED");
return 0;

static void Check(string name, bool ok, string observed)
{
    if (!ok)
    {
        throw new CheckFailedException($"{name}: observed {observed}");
    }

    Console.WriteLine($"ok {name}: {observed}");
}

internal sealed class CheckFailedException(string message) : Exception(message);
