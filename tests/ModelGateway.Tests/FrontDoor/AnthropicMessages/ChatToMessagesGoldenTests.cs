using System.Buffers;
using System.Text;
using ModelGateway.FrontDoor.Protocols.AnthropicMessages;

namespace ModelGateway.Tests.FrontDoor.AnthropicMessages;

/// <summary>Golden wire tests of the renderer: recorded chat chunks in, exact Anthropic events out.</summary>
public sealed class ChatToMessagesGoldenTests
{
    [Fact]
    public void Reasoning_text_and_two_tool_calls_become_thinking_text_and_tool_use_blocks_in_order()
    {
        const string chunks = """
            data: {"id":"c1","model":"qwen","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

            data: {"id":"c1","model":"qwen","choices":[{"index":0,"delta":{"reasoning_content":"think"},"finish_reason":null}]}

            data: {"id":"c1","model":"qwen","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}

            data: {"id":"c1","model":"qwen","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}

            data: {"id":"c1","model":"qwen","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"x\":1}"}}]},"finish_reason":null}]}

            data: {"id":"c1","model":"qwen","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"g","arguments":"{}"}}]},"finish_reason":null}]}

            data: {"id":"c1","model":"qwen","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: {"id":"c1","model":"qwen","choices":[],"usage":{"prompt_tokens":30,"completion_tokens":12,"prompt_tokens_details":{"cached_tokens":10}}}

            data: [DONE]


            """;
        var output = new ArrayBufferWriter<byte>();
        using var stream = new ChatToMessagesStream(output, estimatedInputTokens: 25);

        // Fed in two pieces split mid-line, as bytes arrive from a socket.
        var bytes = Encoding.UTF8.GetBytes(chunks.ReplaceLineEndings("\n"));
        var consumed = stream.Translate(bytes.AsSpan(0, 200));
        stream.Translate(bytes.AsSpan(consumed));
        stream.EndOfStream();

        const string expected = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_c1","type":"message","role":"assistant","model":"qwen","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}

            event: ping
            data: {"type":"ping"}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"think"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: content_block_start
            data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_a","name":"f","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"x\":1}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":2}

            event: content_block_start
            data: {"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"call_b","name":"g","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":3}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":10,"output_tokens":12}}

            event: message_stop
            data: {"type":"message_stop"}


            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void A_stream_that_ends_unfinished_closes_with_an_error_event()
    {
        var output = new ArrayBufferWriter<byte>();
        using var stream = new ChatToMessagesStream(output, estimatedInputTokens: 0);

        stream.Translate("data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"u8);
        stream.EndOfStream();

        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.EndsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"The upstream provider ended the stream before it was complete.\"}}\n\n", text, StringComparison.Ordinal);
    }
}
