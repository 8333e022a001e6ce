#!/bin/bash
# create-sqs-queues.sh

REGION="us-east-1"

echo "Creating Dead Letter Queues..."

# Create DLQs
aws sqs create-queue \
    --queue-name video-processing-dlq \
    --region $REGION \
    --attributes '{
        "MessageRetentionPeriod": "1209600",
        "VisibilityTimeout": "900"
    }'

aws sqs create-queue \
    --queue-name thumbnail-generation-dlq \
    --region $REGION \
    --attributes '{
        "MessageRetentionPeriod": "1209600",
        "VisibilityTimeout": "300"
    }'

aws sqs create-queue \
    --queue-name email-dlq \
    --region $REGION \
    --attributes '{
        "MessageRetentionPeriod": "1209600",
        "VisibilityTimeout": "60"
    }'

aws sqs create-queue \
    --queue-name analytics-dlq \
    --region $REGION \
    --attributes '{
        "MessageRetentionPeriod": "1209600",
        "VisibilityTimeout": "30"
    }'

echo "Getting DLQ ARNs..."

VIDEO_DLQ_ARN=$(aws sqs get-queue-attributes \
    --queue-url $(aws sqs get-queue-url --queue-name video-processing-dlq --query 'QueueUrl' --output text) \
    --attribute-names QueueArn \
    --query 'Attributes.QueueArn' \
    --output text)

THUMBNAIL_DLQ_ARN=$(aws sqs get-queue-attributes \
    --queue-url $(aws sqs get-queue-url --queue-name thumbnail-generation-dlq --query 'QueueUrl' --output text) \
    --attribute-names QueueArn \
    --query 'Attributes.QueueArn' \
    --output text)

EMAIL_DLQ_ARN=$(aws sqs get-queue-attributes \
    --queue-url $(aws sqs get-queue-url --queue-name email-dlq --query 'QueueUrl' --output text) \
    --attribute-names QueueArn \
    --query 'Attributes.QueueArn' \
    --output text)

ANALYTICS_DLQ_ARN=$(aws sqs get-queue-attributes \
    --queue-url $(aws sqs get-queue-url --queue-name analytics-dlq --query 'QueueUrl' --output text) \
    --attribute-names QueueArn \
    --query 'Attributes.QueueArn' \
    --output text)

echo "Creating Main Queues with DLQ configuration..."

# Create main queues with DLQ
aws sqs create-queue \
    --queue-name video-processing-queue \
    --region $REGION \
    --attributes "{
        \"MessageRetentionPeriod\": \"345600\",
        \"VisibilityTimeout\": \"900\",
        \"RedrivePolicy\": \"{\\\"deadLetterTargetArn\\\":\\\"$VIDEO_DLQ_ARN\\\",\\\"maxReceiveCount\\\":\\\"3\\\"}\"
    }"

aws sqs create-queue \
    --queue-name thumbnail-generation-queue \
    --region $REGION \
    --attributes "{
        \"MessageRetentionPeriod\": \"86400\",
        \"VisibilityTimeout\": \"300\",
        \"RedrivePolicy\": \"{\\\"deadLetterTargetArn\\\":\\\"$THUMBNAIL_DLQ_ARN\\\",\\\"maxReceiveCount\\\":\\\"3\\\"}\"
    }"

aws sqs create-queue \
    --queue-name email-queue \
    --region $REGION \
    --attributes "{
        \"MessageRetentionPeriod\": \"172800\",
        \"VisibilityTimeout\": \"60\",
        \"RedrivePolicy\": \"{\\\"deadLetterTargetArn\\\":\\\"$EMAIL_DLQ_ARN\\\",\\\"maxReceiveCount\\\":\\\"5\\\"}\"
    }"

aws sqs create-queue \
    --queue-name analytics-queue \
    --region $REGION \
    --attributes "{
        \"MessageRetentionPeriod\": \"86400\",
        \"VisibilityTimeout\": \"30\",
        \"RedrivePolicy\": \"{\\\"deadLetterTargetArn\\\":\\\"$ANALYTICS_DLQ_ARN\\\",\\\"maxReceiveCount\\\":\\\"2\\\"}\"
    }"

echo "✅ All queues created successfully!"
echo ""
echo "Queue URLs:"
aws sqs list-queues --region $REGION
