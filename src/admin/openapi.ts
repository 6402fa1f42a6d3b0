import { applyDecorators, INestApplication, UnauthorizedException } from '@nestjs/common';
import { ApiResponse, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AdminTokenGuard } from './admin-token.guard';

const ERRORS: Record<number, string> = {
  400: 'invalid body, query or id: `message` names the field',
  401: 'no valid admin bearer token',
  404: 'no such row (conflict, event, run, write, user or segment)',
  409: 'the row or job is not in a state that allows it (already resolved, running, not in doubt, loyalty off)',
  502: 'Pepper or CRM.COM could not be reached or answered an error',
};

/** The error answers a route can give, in the OpenAPI document. */
export const ApiErrors = (...statuses: number[]) => applyDecorators(...statuses.map((status) => ApiResponse({ status, description: ERRORS[status] })));

export const OPENAPI_JSON = '/admin/openapi.json';
export const OPENAPI_PAGE = '/admin/docs';

/**
 * The admin API described from its controllers and DTOs (OpenAPI 3), served as JSON at /admin/openapi.json and as a
 * Swagger UI page at /admin/docs: both need the admin token, like every other /admin route.
 */
export function setupOpenApi(app: INestApplication): void {
  const guard = app.get(AdminTokenGuard);
  const needsToken = (req: Request, res: Response, next: NextFunction) => {
    try {
      guard.canActivate({ switchToHttp: () => ({ getRequest: () => req }) } as never);
      next();
    } catch (error) {
      const answer = error instanceof UnauthorizedException ? error : new UnauthorizedException();
      res.status(401).json(answer.getResponse());
    }
  };
  app.use([OPENAPI_JSON, OPENAPI_PAGE], needsToken);
  const config = new DocumentBuilder()
    .setTitle('Pepper ⇄ CRM.COM connector: admin API')
    .setDescription('Operator API of the connector (README "Admin API"). Every /admin route needs `Authorization: Bearer $ADMIN_API_TOKEN`.')
    .setVersion('1')
    .addBearerAuth()
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(OPENAPI_PAGE.slice(1), app, document, { jsonDocumentUrl: OPENAPI_JSON.slice(1), raw: ['json'], customSiteTitle: 'Connector admin API' });
}
